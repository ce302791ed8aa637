/** In-memory ports for the pod processor, and a photo stored in them as S3 would announce it. */
import type { PodPorts } from '../../../../src/handlers/pod/process-photo.js';
import { BUCKET, EVENT_TIME } from './factories.js';
import { type MemoryPorts, memoryPorts } from './memory.js';

export function podPorts(): PodPorts & MemoryPorts {
  const ports = memoryPorts();
  return { ...ports, putBytes: async (bucket, key, body, type) => void ports.objects.put(bucket, key, body, type) };
}

export function stored(ports: MemoryPorts, key: string, bytes: Uint8Array) {
  const versionId = ports.objects.put(BUCKET, key, bytes);
  return { bucket: BUCKET, key, versionId, eventTime: EVENT_TIME, size: bytes.length, etag: `"${versionId}"` };
}
