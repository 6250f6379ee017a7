import { createContext, useContext } from 'react';
import { Api } from '../api';
import { ConsoleSession } from '../types';

export interface ConsoleContextValue {
  readonly api: Api;
  readonly session: ConsoleSession;
  navigate: (to: string) => void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside the console');
  return value;
}
