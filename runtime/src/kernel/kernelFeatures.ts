/**
 * What the running kernel offers the sandbox, probed on the real machine (never assumed).
 * The type is part of the runtime protocol (protocol.ts); the probe lives in kernelProbe.ts.
 */
export interface FeatureCheck {
  /** Stable identifier, e.g. "userns", "landlock", "seccomp-user-notif". */
  id: string;
  /** Human name, e.g. "user namespaces". */
  name: string;
  ok: boolean;
  /** What was found, e.g. "ABI 7" or "/proc/pressure/cpu missing". */
  detail: string;
  /** What a missing feature means for the user (empty when ok). */
  impact: string;
}

export interface KernelFeatures {
  /** uname release, e.g. "6.18.0". */
  kernel: string;
  /** Native architecture as seccomp names it, e.g. "SCMP_ARCH_X86_64". */
  arch: string;
  /** Landlock ABI version, 0 when Landlock is unavailable. */
  landlockAbi: number;
  /** Mount point of the cgroup v2 hierarchy, or null. */
  cgroup2Path: string | null;
  checks: FeatureCheck[];
}
