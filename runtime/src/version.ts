/** The product version, from the manifest (one place). */
import manifest from '../../package.json';

export const RUNTIME_VERSION: string = manifest.version;
