/** `tap shipment` and `tap upload --shipment`: ids, timeline entries from events-table items, the text form. */
import { describe, expect, it } from 'vitest';
import { formatShipment } from '../../../src/cli/format/shipment.js';
import { plainStyle } from '../../../src/cli/format/style.js';
import { UserError } from '../../../src/ops/errors.js';
import { incomingKey, podKey, shipmentId } from '../../../src/ops/keys.js';
import { contentType } from '../../../src/ops/upload-file.js';
import { toEntry } from '../../../src/ops/shipment.js';

describe('shipment ids', () => {
  it('accepts one safe path segment and builds pod/<id>/<name>', () => {
    expect(shipmentId(' S-1 ')).toBe('S-1');
    expect(podKey('SH.2026_01', 'door.jpg')).toBe('pod/SH.2026_01/door.jpg');
  });

  it('a photo key stays a photo key for `tap status --file`, and photos upload with an image content type', () => {
    expect(incomingKey('pod/S-1/door.jpg')).toBe('pod/S-1/door.jpg');
    expect(incomingKey('door.jpg')).toBe('incoming/door.jpg');
    expect(contentType('pod/S-1/door.JPG')).toBe('image/jpeg');
    expect(contentType('pod/S-1/x.heic')).toBe('image/heic');
  });

  it.each(['', 'a/b', '../x', '.hidden', 'S 1', 'x'.repeat(65), 'ä'])('refuses %j with what to do', (id) => {
    expect(() => shipmentId(id)).toThrow(UserError);
    expect(() => shipmentId(id)).toThrow(/for example --shipment S-1/);
  });
});

describe('timeline entries', () => {
  const status = { shipment_id: 'S-1', event_key: '2026-01-05T11:00:00Z#ab', status: 'DELIVERED', timestamp: '2026-01-05T11:00:00Z', carrier: 'DHL', source_key: 'incoming/a.json', source_version: 'v1', record_number: 2, environment: 'dev' };
  const photo = { shipment_id: 'S-1', event_key: '2026-01-05T10:00:30.000Z#cdpod', event_type: 'POD', timestamp: '2026-01-05T10:00:30.000Z', time_source: 'exif', uploaded_at: '2026-01-05T12:00:00.000Z', source_key: 'pod/S-1/door.jpg', image_format: 'jpeg', width: 800, height: 600, latitude: 52.52, longitude: 13.405, thumbnail_key: 'thumbnails/S-1/door.jpg.jpg', environment: 'dev' };

  it('a status event keeps its file, record and own fields; a POD item becomes a photo', () => {
    expect(toEntry(status)).toEqual({ kind: 'status', time: '2026-01-05T11:00:00Z', status: 'DELIVERED', file: 'incoming/a.json', version: 'v1', record: 2, fields: { carrier: 'DHL' } });
    expect(toEntry(photo)).toEqual({
      kind: 'photo',
      time: '2026-01-05T10:00:30.000Z',
      timeSource: 'exif',
      uploadedAt: '2026-01-05T12:00:00.000Z',
      file: 'pod/S-1/door.jpg',
      format: 'jpeg',
      width: 800,
      height: 600,
      position: { latitude: 52.52, longitude: 13.405 },
      thumbnailKey: 'thumbnails/S-1/door.jpg.jpg',
    });
  });

  it('prints one line per entry, and suggestions for an unknown id', () => {
    const text = formatShipment({ kind: 'timeline', shipmentId: 'S-1', entries: [toEntry(status), toEntry(photo)], statusEvents: 1, photos: 1, truncated: false }, { json: false, style: plainStyle });
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/DELIVERED\s+carrier=DHL\s+incoming\/a\.json #2/);
    expect(text).toMatch(/PHOTO\s+JPEG 800 × 600, taken at 52\.52000, 13\.40500\s+pod\/S-1\/door\.jpg → thumbnails\/S-1\/door\.jpg\.jpg/);
    expect(formatShipment({ kind: 'unknown', shipmentId: 'S-l', suggestions: ['S-1'] }, { json: false, style: plainStyle })).toBe('No events for shipment S-l. Did you mean S-1?');
  });
});
