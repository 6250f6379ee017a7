/** The variable that sets each app's port. */
const PORT_VARIABLES: Readonly<Record<string, string>> = {
  scim: 'SCIM_PORT',
  oidc: 'OIDC_PORT',
  worker: 'WORKER_PORT',
};

/** The environment variable that sets an app's port (`scim` → `SCIM_PORT`). */
export function portVariable(app: string): string {
  return PORT_VARIABLES[app] ?? `${app.toUpperCase()}_PORT`;
}

/** Whether an error is a listen() refused because another process holds the port. */
export function isPortInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/** What to tell a person whose port is taken: which port, which variable, what to do. */
export function portInUseMessage(app: string, port: number): string {
  const variable = portVariable(app);
  return `port ${port} (${variable}) is already in use: is another gateway running? Stop it, or set ${variable} to another port`;
}
