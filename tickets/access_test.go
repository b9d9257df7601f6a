package tickets

import "testing"

// TestChangeRulesComplete: every role has a rule for every field, so that
// no field is refused (or allowed) by omission.
func TestChangeRulesComplete(t *testing.T) {
	fields := []Field{FieldOpen, FieldKind, FieldService, FieldImpact, FieldUrgency, FieldPriority, FieldLevel,
		FieldSubject, FieldDescription, FieldAssignee, FieldQueue, FieldMajorIncident, FieldCaller, FieldParent,
		FieldWork, FieldResolve, FieldClose}
	for _, r := range Roles {
		row, ok := ChangeRules[r]
		if !ok {
			t.Errorf("role %s has no row", r)
		}
		for _, f := range fields {
			if _, ok := row[f]; !ok {
				t.Errorf("role %s has no rule for %s", r, f)
			}
		}
		if len(row) != len(fields) {
			t.Errorf("role %s: %d rules, want %d", r, len(row), len(fields))
		}
	}
	for _, s := range States {
		if TransitionField(s) == "" {
			t.Errorf("no field for a move to %s", s)
		}
	}
}
