export * from './resource-validator';
export * from './projection';
