// The ONNX protobuf messages, encoded by protobufjs from the official schema (onnx.proto beside
// this file, ONNX v1.22.0). Plain objects in, bytes out: field names as in the .proto (snake_case).
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType.FLOAT: every tensor the exported graphs hold is float32. */
export const FLOAT = 1;

export interface TensorProto { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }
export interface AttributeProto { name: string; type: 'INT' | 'FLOAT' | 'STRING' | 'INTS'; i?: number; f?: number; s?: Uint8Array; ints?: number[] }
export interface NodeProto { name: string; op_type: string; input: string[]; output: string[]; attribute: AttributeProto[] }
/** `null` in a shape: a dimension given by name (`dim_param`), the batch. */
export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}
export interface GraphProto {
  name: string; node: NodeProto[]; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[]; doc_string?: string;
}
export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: { key: string; value: string }[];
}

export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelProtoType.fromObject(model);
  const problem = ModelProtoType.verify(message);
  if (problem) throw new Error(`invalid ONNX model: ${problem}`);
  return ModelProtoType.encode(message).finish();
}

/** The model back as plain objects (int64 fields as numbers): for tests and tools that inspect an export. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, enums: String, bytes: Array, defaults: false }) as ModelProto;
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  // raw_data is little-endian float32, which Float32Array is on every platform Node runs on.
  return { name, dims, data_type: FLOAT, raw_data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function valueInfo(name: string, shape: (number | null)[]): ValueInfoProto {
  const dim = shape.map((d) => (d === null ? { dim_param: 'N' } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: FLOAT, shape: { dim } } } };
}

export const ints = (name: string, values: number[]): AttributeProto => ({ name, type: 'INTS', ints: values });
export const int = (name: string, value: number): AttributeProto => ({ name, type: 'INT', i: value });
export const float = (name: string, value: number): AttributeProto => ({ name, type: 'FLOAT', f: value });
export const string = (name: string, value: string): AttributeProto => ({ name, type: 'STRING', s: new TextEncoder().encode(value) });
