// A trained model as bytes: the tfjs layers format (what model.json and weights.bin hold). The
// engine produces it, the store keeps it, inference and export read it; none owns it.
export interface ModelArtifact {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}

/** The file a download gives: tfjs' own files zipped (the default), or one ONNX graph. */
export type ArtifactFormat = 'tfjs' | 'onnx';

/** What a user of an exported file needs beside the weights: the class names and how inputs were scaled. */
export interface ArtifactDescription { labels: string[]; pixelMax: number; modelId?: string }
