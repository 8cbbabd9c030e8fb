// Operation and dtype codes shared with native-cuda/src/kernels.h (same order: keep in step).
export const DType = { F32: 0, I32: 1 } as const;

export const UNARY = [
  'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Rsqrt', 'Square', 'Reciprocal', 'Relu', 'Relu6', 'Sigmoid',
  'Tanh', 'Elu', 'Selu', 'Softplus', 'Step', 'Floor', 'Ceil', 'Round', 'Sign', 'LeakyRelu',
  'ClipByValue', 'Log1p', 'Expm1', 'Sin', 'Cos', 'LogicalNot', 'Identity',
] as const;
export const BINARY = [
  'Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'Pow', 'SquaredDifference', 'FloorDiv', 'EluGrad',
  'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr',
] as const;
export const REDUCE = ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'ArgMax', 'ArgMin', 'All', 'Any'] as const;

export const unaryCode = (name: (typeof UNARY)[number]): number => UNARY.indexOf(name);
export const binaryCode = (name: (typeof BINARY)[number]): number => BINARY.indexOf(name);
export const reduceCode = (name: (typeof REDUCE)[number]): number => REDUCE.indexOf(name);
/** Binary ops whose output is bool. */
export const isComparison = (code: number): boolean => code >= binaryCode('Equal');

/** tfjs' fused activations (FusedConv2D, _FusedMatMul) as unary codes; prelu is not one of them. */
export function activationCode(activation: string | undefined): number | undefined {
  switch (activation ?? 'linear') {
    case 'linear': return unaryCode('Identity');
    case 'relu': return unaryCode('Relu');
    case 'relu6': return unaryCode('Relu6');
    case 'elu': return unaryCode('Elu');
    case 'sigmoid': return unaryCode('Sigmoid');
    case 'leakyrelu': return unaryCode('LeakyRelu');
    default: return undefined;
  }
}

const bitsView = new DataView(new ArrayBuffer(4));
/** The 4 bytes of a value as the kernels store it (float32 bits, or int32 / bool as int32). */
export function bitsOf(value: number, dtype: string): number {
  if (dtype === 'float32') bitsView.setFloat32(0, value, true);
  else bitsView.setInt32(0, dtype === 'bool' ? (value ? 1 : 0) : value, true);
  return bitsView.getUint32(0, true);
}
