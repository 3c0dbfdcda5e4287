/** Seccomp actions, operators and architectures (model/data/seccomp.json). Loaded once. */
import data from '../data/seccomp.json';

export interface ActionInfo {
  name: string;
  kernel: string;
  libseccomp: string;
  errnoRet: boolean;
  summary: string;
  meaning: string;
}
export interface OperatorInfo {
  name: string;
  expr: string;
  meaning: string;
}
export interface ArchitectureInfo {
  name: string;
  libseccomp: string;
  bits: number;
  compat: string[];
  docker: string | null;
}

const actions = new Map<string, ActionInfo>((data.actions as ActionInfo[]).map((a) => [a.name, a]));
const operators = new Map<string, OperatorInfo>((data.operators as OperatorInfo[]).map((o) => [o.name, o]));
const architectures = new Map<string, ArchitectureInfo>((data.architectures as ArchitectureInfo[]).map((a) => [a.name, a]));

export function actionInfo(name: string): ActionInfo | undefined {
  return actions.get(name);
}
export function operatorInfo(name: string): OperatorInfo | undefined {
  return operators.get(name);
}
export function architectureInfo(name: string): ArchitectureInfo | undefined {
  return architectures.get(name);
}
/** The actions whose errno (errnoRet) reaches the caller or the tracer. */
export function actionsUsingErrno(): string[] {
  return [...actions.values()].filter((a) => a.errnoRet).map((a) => a.name);
}
