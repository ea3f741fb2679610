import { type Static, Type } from '@sinclair/typebox';

/**
 * Parsed SCIM filters (RFC 7644 §3.4.2.2) and attribute paths (§3.5.2), as data.
 * The ingress parses the text once; what crosses Kafka is this tree, never filter text,
 * so no consumer ever re-parses IdP input.
 */

/** An attribute reference with canonical casing, e.g. {schema: core User URN, attribute: 'emails', subAttribute: 'value'}. */
export const AttributeRef = Type.Object(
  {
    schema: Type.String({ description: 'schema URN the attribute belongs to' }),
    attribute: Type.String({ minLength: 1 }),
    subAttribute: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, $id: 'AttributeRef' },
);
export type AttributeRef = Static<typeof AttributeRef>;

export const COMPARE_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];

export const FilterLiteral = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export type FilterLiteral = Static<typeof FilterLiteral>;

export const Filter = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.Object(
        {
          kind: Type.Literal('compare'),
          path: AttributeRef,
          op: Type.Union(COMPARE_OPERATORS.map((o) => Type.Literal(o))),
          value: FilterLiteral,
        },
        { additionalProperties: false },
      ),
      Type.Object({ kind: Type.Literal('present'), path: AttributeRef }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('and'), left: Self, right: Self }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('or'), left: Self, right: Self }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('not'), filter: Self }, { additionalProperties: false }),
      Type.Object(
        {
          kind: Type.Literal('valuePath'),
          path: AttributeRef,
          filter: Self,
        },
        {
          additionalProperties: false,
          description:
            'attr[filter]: the inner filter is evaluated against each element of the multi-valued attribute',
        },
      ),
    ]),
  { $id: 'Filter' },
);
export type Filter = Static<typeof Filter>;

/** A PATCH target: `[schema:]attribute[valueFilter][.subAttribute]`, e.g. emails[type eq "work"].value or name.givenName. */
export const PatchPath = Type.Object(
  {
    schema: Type.String({ description: 'schema URN the attribute belongs to' }),
    attribute: Type.String({ minLength: 1 }),
    valueFilter: Type.Optional(Filter),
    subAttribute: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, $id: 'PatchPath' },
);
export type PatchPath = Static<typeof PatchPath>;

/**
 * One normalized PATCH operation: op is lower-case, the path is parsed, values have real types,
 * and path-less operations were expanded by the ingress into one operation per attribute.
 */
export const PatchOperation = Type.Object(
  {
    op: Type.Union([Type.Literal('add'), Type.Literal('replace'), Type.Literal('remove')]),
    path: PatchPath,
    value: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false, $id: 'PatchOperation' },
);
export type PatchOperation = Static<typeof PatchOperation>;
