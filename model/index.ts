/**
 * The domain model of Phantom Fragment: what a configuration, a seccomp profile and a Landlock profile mean —
 * their parsers, validators, the effective policy of a profile and the domain tables. Pure (apart from reading
 * files where a function says so); the language server and the runtime import only this file.
 */
export { default as landlockData } from './data/landlock.json';
export { default as seccompData } from './data/seccomp.json';
export { default as syscallData } from './data/syscalls.json';
export { BUILTIN_FRAGMENTS, builtinFragment } from './src/config/builtinFragments';
export { configOf, isFragmentReference, referenceKind, resolveReference } from './src/config/configDocument';
export { type AdmissionAction, CONFIG_VARIABLES, DEFAULT_PRESSURE, type FragmentSpec, type NetworkMode, type PressureRule, type PhantomConfig, type PolicySource, readConfig, substituteVariables } from './src/config/configModel';
export { describeLimits, effectiveLimits, type EffectiveLimits } from './src/config/defaultLimits';
export { effectivePolicy, type EffectivePolicy, expandFragments, fragmentNamed, fragmentNames, policySummary, seccompAllowList } from './src/config/effectivePolicy';
export { documentDirectory, fileSystemContext, fileSystemListDirectory, fileSystemReadFile } from './src/config/fileAccess';
export { decidesFilesystem, pathAccess, uselessGrants } from './src/config/layeredAccess';
export { diagnosticHelp } from './src/diagnosticHelp';
export { closest, didYouMean } from './src/didYouMean';
export { documentFormat, type Syntax } from './src/documentKind';
export { expandGroup, GROUPS, groupsFor, isGroup, landlockKey, MAX_KNOWN_ABI, rightInfo, type RightKind, rightsOf } from './src/landlockTable';
export { parseSource } from './src/parse';
export { forgetDocument, parsedDocument, type ParsedDocument } from './src/parsedDocument';
export { fileSystemPathKind } from './src/pathKind';
export { DIAGNOSTIC_SOURCE, DiagnosticSeverity, finding, fixesOf, type PlainDiagnostic, type QuickFix, textEdit } from './src/quickFix';
export { schemaFor } from './src/schemas';
export { actionInfo, architectureInfo, operatorInfo } from './src/seccompTable';
export { profileArchitectures } from './src/seccompValidation';
export { appendArrayItem, insertArrayItemsAfter, insertTopLevel, removeArrayItem, replaceKey, replaceScalar, scalarLike } from './src/sourceEdits';
export { childAt, type JsonValue, nodeAtPath, pathAtOffset, type PathSegment, type SourceNode, toValue } from './src/sourceTree';
export { architecturesOf, existsOn, maxArgc, syscallInfo, syscallNamesOn, TABLE_ARCHITECTURES } from './src/syscallTable';
export { validateDocument } from './src/validation';
export { type ValidationContext } from './src/validationContext';
export { checkedName, loadConfig, loadFile, loadLandlockProfile, loadSeccompProfile, type LoadedConfig, type LoadedFile, type LoadedLandlockProfile, type LoadedSeccompProfile } from './src/loadFiles';
export { type LandlockConfig, landlockProfileOf } from './src/landlockProfileModel';
export { firstErrorOf, type FirstError, ProfileLoadError, refusalMessage, refuseErrors } from './src/profileLoadError';
export { exactIntegerOf, type SeccompArg, type SeccompFilter, type SeccompProfile, type SeccompRule, seccompProfileOf } from './src/seccompProfileModel';
export { FILE_PATTERNS, type DocumentFormat, type DocumentKind } from './src/documentKind';
