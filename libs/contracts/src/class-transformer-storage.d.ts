// class-transformer keeps its metadata storage out of its typed entry point.
declare module 'class-transformer/cjs/storage.js' {
  export const defaultMetadataStorage: unknown;
}
