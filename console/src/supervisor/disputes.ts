// The township's decision on a dispute: what the form must hold before it is sent.
export type Outcome = 'upheld' | 'minutes_adjusted' | 'voided'

export interface Decision {
  outcome: Outcome
  reason: string
  minutes: number | null
}

export type DecisionProblem = 'reasonRequired' | 'minutesRequired'

export function decisionProblems(decision: Decision): DecisionProblem[] {
  const problems: DecisionProblem[] = []
  if (!decision.reason.trim()) problems.push('reasonRequired')
  if (decision.outcome === 'minutes_adjusted' &&
      (decision.minutes === null || !Number.isInteger(decision.minutes) || decision.minutes < 0)) {
    problems.push('minutesRequired')
  }
  return problems
}

/** The body of POST /disputes/{id}/resolve: minutes only for an adjustment. */
export function decisionBody(decision: Decision): { outcome: Outcome; reason: string; minutes: number | null } {
  return {
    outcome: decision.outcome,
    reason: decision.reason.trim(),
    minutes: decision.outcome === 'minutes_adjusted' ? decision.minutes : null,
  }
}
