/** sysexits.h EX_CONFIG: "something was found in an unconfigured or misconfigured state". */
export const EXIT_CONFIG = 78;
