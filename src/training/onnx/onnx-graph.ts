// A graph under construction: nodes and initializers in order, and the one tensor the sequential
// model has reached, with its static shape (batch left out) and layout. tfjs keeps images NHWC;
// ONNX Conv, pooling and BatchNormalization want NCHW, so a rank-4 tensor moves to NCHW before
// those and back to NHWC before anything that reads the last axis as channels (flatten, dense,
// softmax, the output), which keeps tfjs' flatten order and its Dense weights as they are.
import { floatTensor, type AttributeProto, type NodeProto, type TensorProto } from './onnx-proto.js';

export type Layout = 'nhwc' | 'nchw';

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  /** The tensor the model has reached so far. */
  current: string;
  /** Its shape without the batch dimension, in tfjs' (NHWC) order whatever `layout` is. */
  shape: number[];
  layout: Layout = 'nhwc';

  constructor(readonly inputName: string, inputShape: number[]) {
    this.current = inputName;
    this.shape = [...inputShape];
    this.used.add(inputName);
  }

  /** A name not yet used in the graph (ONNX names must be unique). */
  name(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant (weights); returns its name. */
  constant(base: string, dims: number[], values: Float32Array): string {
    const name = this.name(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** Appends a node that reads the current tensor (and `extra` inputs) and makes it the current one. */
  apply(opType: string, base: string, attribute: AttributeProto[] = [], extra: string[] = []): string {
    const output = this.name(base);
    this.nodes.push({ name: output, op_type: opType, input: [this.current, ...extra], output: [output], attribute });
    this.current = output;
    return output;
  }

  get rank(): number {
    return this.shape.length + 1;
  }

  /** Before an op that wants channels at axis 1 (a no-op unless rank 4 and still NHWC). */
  toNchw(base: string): void {
    if (this.rank !== 4 || this.layout === 'nchw') return;
    this.apply('Transpose', `${base}/to_nchw`, [{ name: 'perm', type: 'INTS', ints: TO_NCHW }]);
    this.layout = 'nchw';
  }

  /** Before an op that reads the last axis as channels, and at the output. */
  toNhwc(base: string): void {
    if (this.layout === 'nhwc') return;
    this.apply('Transpose', `${base}/to_nhwc`, [{ name: 'perm', type: 'INTS', ints: TO_NHWC }]);
    this.layout = 'nhwc';
  }

  /** Names the current tensor `name` (the graph output): renames the node that made it, or adds an Identity. */
  finish(name: string): void {
    if (this.used.has(name)) throw new Error(`the output name ${name} is taken in the graph`);
    const last = this.nodes.at(-1);
    if (last && last.output[0] === this.current) {
      last.output[0] = name;
      this.used.add(name);
      this.current = name;
    } else {
      this.apply('Identity', name); // a model that is the identity (only dropout): the input itself is no output
    }
  }
}
