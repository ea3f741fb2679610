/**
 * A decided write found the directory moved on since the decision: the resource no longer has the
 * version it was decided against, or another resource took its unique key. Nothing was written;
 * the command is decided again against the fresh state.
 */
export class StaleDecision extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'StaleDecision';
  }
}
