/** What every decoder returns, and how each says that content cannot be decoded (the file's fault). */
import { FileFormatError } from '../errors.js';
import type { ImageType } from './sniff.js';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

export const notDecodable = (type: ImageType, reason: string) => new FileFormatError(`not an image: the ${type.toUpperCase()} data cannot be decoded (${reason})`);
