/** perifat's version (package.json's; a unit test keeps the two equal). */
export const PERIFAT_VERSION = '0.1.0';
