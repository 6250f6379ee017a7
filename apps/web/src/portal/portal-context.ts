import { createContext, useContext } from 'react';
import { Api } from '../api';
import { PortalSession, Tenant } from '../types';
import { StepFacts } from './checklist';

export interface PortalContextValue {
  readonly api: Api;
  readonly session: PortalSession;
  readonly tenant: Tenant;
  /** `/admin/v1/tenants/<slug>`: every portal call is under it. */
  readonly base: string;
  readonly facts: StepFacts;
  /** Merges what a step just learnt (a domain verified, a token used) into the checklist. */
  learn: (facts: StepFacts) => void;
  navigate: (to: string) => void;
}

export const PortalContext = createContext<PortalContextValue | null>(null);

export function usePortal(): PortalContextValue {
  const value = useContext(PortalContext);
  if (!value) throw new Error('usePortal outside the portal');
  return value;
}
