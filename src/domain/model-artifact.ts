// A trained model as bytes: the tfjs layers format (what model.json and weights.bin hold). The
// engine produces it, the store keeps it, inference and export read it; none owns it.
export interface ModelArtifact {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: Uint8Array;
}
