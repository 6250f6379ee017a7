export * from './schema.types';
export * from './user.schema';
export * from './enterprise-user.schema';
export * from './group.schema';
export * from './schema-registry';
