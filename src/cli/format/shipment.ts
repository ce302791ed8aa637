import type { ShipmentResult, TimelineEntry } from '../../ops/shipment.js';
import type { Style } from './style.js';
import { cut, plural, table } from './table.js';

/** The result of `tap shipment`, as text or JSON. Pure. */
export function formatShipment(result: ShipmentResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { bold, dim, yellow } = options.style;
  if (result.kind === 'unknown') {
    const hint = result.suggestions.length ? ` Did you mean ${result.suggestions.join(', ')}?` : ' No shipment has events yet, or the id is mistyped.';
    return `${yellow(`No events for shipment ${result.shipmentId}.`)}${hint}`;
  }
  const head = `${bold(`Shipment ${result.shipmentId}`)}: ${plural(result.statusEvents, 'status event')}, ${plural(result.photos, 'photo')}, newest first${result.truncated ? dim(' (older entries not shown)') : ''}`;
  return [head, ...table(result.entries.map((e) => row(e, options.style)))].join('\n');
}

function row(entry: TimelineEntry, style: Style): string[] {
  if (entry.kind === 'status') {
    const extra = Object.entries(entry.fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    return [entry.time, style.green(entry.status), cut(extra, 50), style.dim(`${entry.file}${entry.record !== undefined ? ` #${entry.record}` : ''}`)];
  }
  const where = entry.position ? ` at ${entry.position.latitude.toFixed(5)}, ${entry.position.longitude.toFixed(5)}` : '';
  const when = entry.timeSource === 'exif' ? 'taken' : 'uploaded (no capture time)';
  return [
    entry.time,
    style.bold('PHOTO'),
    `${entry.format.toUpperCase()} ${entry.width} × ${entry.height}, ${when}${where}`,
    style.dim(`${entry.file}${entry.thumbnailKey ? ` → ${entry.thumbnailKey}` : ''}`),
  ];
}
