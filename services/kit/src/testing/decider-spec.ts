import { expect } from 'vitest';
import { type Decider, decidedState, fold } from '../decider.ts';

/**
 * Given/when/then specs for a decider:
 * `spec.given(context).when(command).thenEvents(events)`, `.thenState(partialState)`,
 * `.thenRefused(partialError)`; `spec.stateAfter(events)` builds a state from history.
 */
export const deciderSpec = <Command, Context, State, Event, Refusal, Accepted extends object>(
  decider: Decider<Command, Context, State, Event, Refusal, Accepted>,
) => ({
  stateAfter: (events: readonly Event[]): State => fold(decider.evolve, decider.initialState, events),
  given: (context: Context) => ({
    when: (command: Command) => {
      const decision = decider.decide(command, context);
      const accepted = () => {
        if (!decision.accepted) throw new Error(`expected acceptance, refused: ${String(decision.error)}`);
        return decision;
      };
      return {
        decision,
        /** Accepted with exactly these events (and, optionally, these decision fields). */
        thenEvents(events: readonly Event[], fields: Partial<Accepted> = {}) {
          const { events: decided, ...rest } = accepted();
          expect(decided).toEqual(events);
          expect(rest).toMatchObject(fields);
        },
        /** Accepted; the state it leads to matches `state`. */
        thenState(state: Partial<NonNullable<State>> | undefined) {
          const after = decidedState(decider, accepted());
          if (state === undefined) expect(after).toBeUndefined();
          else expect(after).toMatchObject(state);
        },
        /** Refused with an error matching `error`. */
        thenRefused(error: Partial<Refusal>) {
          expect(decision).toMatchObject({ accepted: false, error });
        },
      };
    },
  }),
});
