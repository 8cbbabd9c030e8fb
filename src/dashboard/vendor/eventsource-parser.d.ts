// The types of ./eventsource-parser.js, which src/routes/dashboard.ts serves from node_modules.
export * from 'eventsource-parser';
