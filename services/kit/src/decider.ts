/**
 * The decider pattern (as in emmett), one shape for every service's domain:
 * `decide(command, context)` says what happens — events, or a refusal — and `evolve(state, event)`
 * is the only way state changes, from `initialState`. Both are pure; the service's shell loads
 * the context, asks `decide`, folds the events with `evolve` and writes the result.
 *
 * The context is what the decision depends on (usually the addressed state, sometimes more: a
 * uniqueness check needs the holder of a key). An accepted decision names the state its events
 * apply to, so the shell never has to guess which of the states it looked up changed.
 */
export type Decision<State, Event, Refusal, Accepted extends object = object> =
  | ({ accepted: true; state: State; events: Event[] } & Accepted)
  | { accepted: false; error: Refusal };

export interface Decider<Command, Context, State, Event, Refusal, Accepted extends object = object> {
  readonly initialState: State;
  decide(command: Command, context: Context): Decision<State, Event, Refusal, Accepted>;
  evolve(state: State, event: Event): State;
}

/** The state after `events`, starting from `state`. */
export const fold = <State, Event>(
  evolve: (state: State, event: Event) => State,
  state: State,
  events: readonly Event[],
): State => events.reduce(evolve, state);

/** The state an accepted decision leads to: its events folded onto the state it was made against. */
export const decidedState = <State, Event>(
  decider: { evolve(state: State, event: Event): State },
  decision: { state: State; events: readonly Event[] },
): State => fold(decider.evolve, decision.state, decision.events);
