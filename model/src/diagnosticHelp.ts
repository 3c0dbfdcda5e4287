/**
 * One help text per diagnostic code: what the rule checks and how to fix a finding. Shown by CI through
 * `phantom check --format sarif` (each SARIF rule's `help`); codes not listed get their family's text.
 */
const HELP: Record<string, string> = {
  syntax: 'The file is not valid JSON, YAML or TOML at this place. Fix the syntax; nothing after it can be checked.',
  'schema-type': 'The value has the wrong type for this key (e.g. a string where a number belongs). Write it as the schema says (hover shows the key\'s description).',
  'schema-unknown-key': 'This key is not part of the format; runtimes ignore or refuse it. Remove it or fix its spelling (the message suggests the closest key).',
  'schema-required': 'A key the format requires is missing. Add it.',
  'schema-enum': 'The value is not one of the allowed names (an action, architecture, operator, right…). Use one of them; the quick fix offers the closest.',
  'schema-range': 'The number is outside the range the kernel or the format accepts. Use a value inside it.',
  'schema-form': 'The value matches none of the forms this key accepts. Rewrite it in one of them.',
  'seccomp-unknown-syscall': 'No architecture of the profile has a syscall of this name: runtimes skip it, so the rule does nothing for it. Fix the spelling (quick fix) or remove it.',
  'seccomp-syscall-other-arch': 'The syscall exists, but not on the profile\'s architectures: the rule does nothing for it there.',
  'seccomp-duplicate-syscall': 'The syscall is listed twice with the same action and conditions; the second listing changes nothing. Remove it (quick fix).',
  'seccomp-conflicting-action': 'The syscall is listed under two actions with the same conditions: which one wins depends on the runtime. Keep one.',
  'seccomp-shadowed-rule': 'An earlier rule already matches these syscalls without conditions, so this conditional rule never decides anything. Remove it or the earlier rule.',
  'seccomp-arg-index': 'The argument index is beyond the syscall\'s parameters: the comparison reads a register the call does not use.',
  'seccomp-errno-refused': 'errnoRet (or defaultErrnoRet) is given with an action that returns no errno. crun, runc and phantom run refuse such a profile ("errno value specified for action"). Remove it or use SCMP_ACT_ERRNO.',
  'seccomp-errno-range': 'The errno is outside 1–4095. The kernel keeps it, but libc reads only 1–4095 as an errno (the call appears to succeed with a negative result) and libseccomp-based runtimes (crun, runc, phantom run) refuse values above 4095. Use an errno such as 1 (EPERM) or 38 (ENOSYS).',
  'seccomp-notify-default': 'SCMP_ACT_NOTIFY cannot be the default action: the supervisor would be notified of its own syscalls. Runtimes refuse it.',
  'seccomp-metadata-without-listener': 'listenerMetadata is sent only to a seccomp agent at listenerPath. Add listenerPath or remove the metadata.',
  'seccomp-missing-compat-arch': 'x86_64 kernels also run x86 and x32 code: without those architectures such calls get the bad-architecture action (kill). Add them (quick fix) or make sure that is intended.',
  'landlock-right-above-abi': 'The right appeared in a later Landlock ABI than the profile declares. Raise abi or remove the right.',
  'landlock-right-above-kernel': 'The running kernel\'s Landlock ABI lacks this right: the profile cannot be applied here as written.',
  'landlock-abi-above-kernel': 'The declared ABI is newer than the running kernel\'s.',
  'landlock-handled-never-allowed': 'A handled right that no rule allows is denied everywhere. Allow it where needed or stop handling it.',
  'landlock-allowed-not-handled': 'A rule allows a right the ruleset does not handle: the allow has no effect.',
  'landlock-directory-right-on-file': 'A directory-only right on a file rule makes the kernel refuse the ruleset (EINVAL). Remove the right or point the rule at a directory.',
  'landlock-path-missing': 'The path does not exist here: the rule cannot be added. Create it or remove the rule.',
  'config-reference-missing': 'The referenced profile file does not exist. Fix the path (the message suggests the closest file).',
  'config-unknown-syscall': 'Not a syscall of the target architectures. Fix the spelling.',
  'unknown-fragment': 'The profile composes a fragment that is not defined. Define it under fragments or fix the name.',
};

const FAMILY: Record<string, string> = {
  schema: 'The value does not follow the file format (schemas/ of Phantom Fragment). The message names the key and the fix.',
  seccomp: 'A seccomp profile check: the message names the rule and the fix.',
  landlock: 'A Landlock profile check: the message names the rule and the fix.',
  config: 'A phantom-fragment.yaml check: the message names the setting and the fix.',
};

export function diagnosticHelp(code: string): string {
  return HELP[code] ?? FAMILY[code.split('-')[0]] ?? 'A Phantom Fragment check: the message names the place and the fix.';
}
