import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './console/console-app';
import { PortalApp } from './portal/portal-app';
import './styles.css';

// One bundle, two apps: the OIDC app serves index.html at /portal/* and /console/*.
const root = createRoot(document.getElementById('root')!);
const isConsole = window.location.pathname.startsWith('/console');
document.title = isConsole ? 'Gateway console' : 'Setup portal';
root.render(<StrictMode>{isConsole ? <ConsoleApp /> : <PortalApp />}</StrictMode>);
