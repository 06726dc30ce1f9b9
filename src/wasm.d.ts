// The wasm binary is inlined into the bundle (tsup loader '.wasm': 'binary'; a vitest plugin does the same in tests).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
