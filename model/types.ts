/**
 * The model's types that other contracts repeat (the runtime protocol, which the metrics webview also reads): type
 * exports only, from modules that import nothing, so a browser-side type-check (no Node types) can follow them.
 * Everything else is reached through `model/index.ts`.
 */
export type { AdmissionAction, NetworkMode, PressureRule } from './src/config/configModel';
export type { Denial, DenialEdit } from './src/denialTypes';
