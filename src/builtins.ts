// The built-in getters of typed arrays, DataViews and array buffers, taken once from the prototypes: called on a
// value, they tell where its data really is (a subclass may override the properties, not these; a Proxy fails them).
const TypedArray = Object.getPrototypeOf(Uint8Array) as { prototype: object };
const getter = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get! as (this: unknown) => unknown;

/** A typed array's toStringTag (undefined for anything else), length, buffer, byteOffset and byteLength. */
export const TA = {
  tag: getter(TypedArray.prototype, Symbol.toStringTag), length: getter(TypedArray.prototype, 'length'), buffer: getter(TypedArray.prototype, 'buffer'),
  offset: getter(TypedArray.prototype, 'byteOffset'), bytes: getter(TypedArray.prototype, 'byteLength'),
};
/** A DataView's buffer, byteOffset and byteLength. */
export const DV = { buffer: getter(DataView.prototype, 'buffer'), offset: getter(DataView.prototype, 'byteOffset'), bytes: getter(DataView.prototype, 'byteLength') };
/** byteLength of ArrayBuffer and (where there is one) SharedArrayBuffer: each throws for anything else. */
export const BUFFERS = [ArrayBuffer, ...(typeof SharedArrayBuffer === 'function' ? [SharedArrayBuffer] : [])].map((C) => getter(C.prototype, 'byteLength'));
