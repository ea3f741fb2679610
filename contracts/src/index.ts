export const hello = (): string => 'roster';
