/**
 * Processing one proof-of-delivery photo version, against injected ports:
 *
 * 1. Skip it if the metadata table already has an outcome for this exact version (redelivery).
 * 2. Refuse it without reading when the event says it is over MAX_PHOTO_BYTES; read it (bounded).
 * 3. Type from the bytes, dimensions from the header; over MAX_PIXELS is refused before decoding.
 * 4. EXIF (capture time, GPS, orientation), then a 256-px JPEG thumbnail under thumbnails/.
 * 5. One `POD` event in the shipment events table, its key derived from the version (a redelivery
 *    overwrites the same item), then the metadata row, last, as the file processor does.
 *
 * A photo that can never succeed is FAILED and quarantined at once; other errors propagate so that
 * the SQS message is retried (and dead-lettered to the pod DLQ after maxReceiveCount).
 */
import { type ProcessingStatus, parsePodKey, quarantineKey, thumbnailKey } from '../contract.js';
import { FileFormatError, TransientError, classifyError } from '../errors.js';
import { eventHash } from '../events.js';
import type { FileEvent, FileOutcome } from '../process-file.js';
import { type EventItem, type MetadataItem, type OutcomeItem, type Ports, isOutcomeOf } from '../ports.js';
import { type PhotoExif, readExif } from './exif.js';
import { type ImageHeader, MAX_PHOTO_BYTES, readHeader } from './sniff.js';
import { thumbnail } from './thumbnail.js';

/** Ports plus writing bytes (thumbnails): the file processor only ever streams text. */
export interface PodPorts extends Ports {
  putBytes(bucket: string, key: string, body: Uint8Array, contentType: string): Promise<void>;
}

export interface PhotoOptions {
  environment: string;
  now?: () => number;
  maxBytes?: number;
  maxPixels?: number;
}

type Result = Pick<MetadataItem, 'error_message' | 'quarantine_key' | 'image_format' | 'image_width' | 'image_height' | 'captured_at' | 'thumbnail_key'> & { processing_status: ProcessingStatus };

export async function processPhoto(file: FileEvent, ports: PodPorts, options: PhotoOptions): Promise<FileOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const previous = await ports.metadata.get(file.key, file.eventTime);
  if (previous && isOutcomeOf(previous, file)) return { duplicate: true, item: previous };
  const place = parsePodKey(file.key);
  let result: Result;
  try {
    if (!place) throw new FileFormatError('not a proof-of-delivery key: photos go under pod/<shipment_id>/<name>');
    result = await convert(file, place.shipmentId, ports, options);
  } catch (err) {
    result = await failure(err, file, ports);
  }
  const finished = now();
  const item: OutcomeItem = {
    filename: file.key,
    upload_timestamp: file.eventTime,
    ...result,
    records_read: result.processing_status === 'SUCCESS' ? 1 : 0,
    records_processed: result.processing_status === 'SUCCESS' ? 1 : 0,
    records_rejected: 0,
    processing_duration_ms: finished - started,
    file_size: file.size ?? 0,
    ...(file.versionId !== undefined && { version_id: file.versionId }),
    ...(file.etag !== undefined && { etag: file.etag }),
    ...(place && { shipment_id: place.shipmentId }),
    environment: options.environment,
    bucket: file.bucket,
    processed_at: new Date(finished).toISOString(),
  };
  await ports.metadata.put(item);
  return { duplicate: false, item };
}

async function convert(file: FileEvent, shipmentId: string, ports: PodPorts, options: PhotoOptions): Promise<Result> {
  const maxBytes = options.maxBytes ?? MAX_PHOTO_BYTES;
  if ((file.size ?? 0) > maxBytes) throw tooLarge(`${mb(file.size!)}`, maxBytes);
  const bytes = await readBounded(await ports.objects.read(file), maxBytes);
  const header = readHeader(bytes, options.maxPixels);
  const exif = await readExif(bytes, header.type);
  const thumb = await thumbnail(bytes, header, exif.orientation);
  const thumbKey = thumbnailKey(file.key);
  await ports.putBytes(file.bucket, thumbKey, thumb.jpeg, 'image/jpeg');
  const event = podEvent(file, shipmentId, header, exif, thumbKey, options.environment);
  const left = await ports.events.writeBatch([event]);
  if (left.length) throw new TransientError('DynamoDB left the POD event unprocessed');
  return {
    processing_status: 'SUCCESS',
    image_format: header.type,
    image_width: header.width,
    image_height: header.height,
    ...(exif.capturedAt && { captured_at: exif.capturedAt }),
    thumbnail_key: thumbKey,
  };
}

/** The events-table item: time-ordered among the shipment's status events, one per photo version. */
function podEvent(file: FileEvent, shipmentId: string, header: ImageHeader, exif: PhotoExif, thumbKey: string, environment: string): EventItem {
  const timestamp = exif.capturedAt ?? file.eventTime;
  return {
    shipment_id: shipmentId,
    // `#pod` keeps the hash apart from record numbers of data files that share nothing else with it.
    event_key: `${timestamp}#${eventHash(file, 0)}pod`,
    event_type: 'POD',
    timestamp,
    time_source: exif.capturedAt ? 'exif' : 'upload',
    ...(exif.capturedAtZone && { time_zone: exif.capturedAtZone }),
    uploaded_at: file.eventTime,
    source_key: file.key,
    ...(file.versionId !== undefined && { source_version: file.versionId }),
    image_format: header.type,
    width: header.width,
    height: header.height,
    ...(exif.latitude !== undefined && { latitude: exif.latitude, longitude: exif.longitude }),
    ...(exif.orientation !== undefined && { orientation: exif.orientation }),
    thumbnail_key: thumbKey,
    environment,
  };
}

/** The whole object, refusing it as soon as it passes `max` (the event's size may be absent). */
async function readBounded(body: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > max) throw tooLarge(`more than ${mb(max)}`, max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

const mb = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MB`;

function tooLarge(size: string, max: number): FileFormatError {
  return new FileFormatError(`file too large: ${size}, over the ${mb(max)} cap for photos; not decoded`);
}

/** A bad or vanished photo becomes a FAILED result; anything else is rethrown for SQS to retry. */
async function failure(err: unknown, file: FileEvent, ports: PodPorts): Promise<Result> {
  const kind = classifyError(err);
  if (kind === 'gone') return { processing_status: 'FAILED', error_message: 'object no longer exists' };
  if (kind !== 'format') throw err;
  const message = (err as Error).message;
  const target = quarantineKey(file.key);
  try {
    await ports.objects.copy(file, target);
  } catch (copyErr) {
    if (classifyError(copyErr) !== 'gone') throw copyErr;
    return { processing_status: 'FAILED', error_message: `${message} (not quarantined: the object no longer exists)` };
  }
  return { processing_status: 'FAILED', error_message: message, quarantine_key: target };
}
