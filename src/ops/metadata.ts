/** Moved to src/shared (the API handler reads the same way); re-exported for the operations. */
export * from '../shared/metadata.js';
