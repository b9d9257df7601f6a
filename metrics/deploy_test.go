package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const dashboardFile = "../deploy/grafana/dashboards/atiende.json"

// seriesName matches recorded names (level:metric:operations) and metric
// names of this package in a PromQL expression.
var seriesName = regexp.MustCompile(`[a-z]+:[a-z0-9_]+:[a-z0-9_]+|atiende_[a-z0-9_]+`)

type ruleFile struct {
	Groups []struct {
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) (records, alerts map[string]bool, exprs []string) {
	t.Helper()
	records, alerts = map[string]bool{}, map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(deployDir, "rules", "*.yml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rf ruleFile
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					records[r.Record] = true
				}
				if r.Alert != "" {
					alerts[r.Alert] = true
				}
				exprs = append(exprs, r.Expr)
			}
		}
	}
	return records, alerts, exprs
}

// dashboardExprs are the PromQL of every panel and variable.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID        string `json:"uid"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("%s: no uid or no panels", dashboardFile)
	}
	var exprs []string
	for _, v := range d.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

// scrapedNames are the series names a full scrape exposes.
func scrapedNames(t *testing.T) map[string]bool {
	t.Helper()
	mfs, err := fullMetrics(t).Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		n := mf.GetName()
		names[n] = true
		if mf.GetMetric()[0].Histogram != nil {
			names[n+"_bucket"], names[n+"_sum"], names[n+"_count"] = true, true, true
		}
	}
	return names
}

// Every name the rules and the dashboard use exists: a renamed metric
// cannot leave a silent empty panel or a rule that never fires.
func TestDeployNamesExist(t *testing.T) {
	records, _, ruleExprs := readRules(t)
	scraped := scrapedNames(t)
	check := func(where string, exprs []string) {
		used := 0
		for _, e := range exprs {
			for _, n := range seriesName.FindAllString(e, -1) {
				used++
				if strings.Contains(n, ":") {
					if !records[n] {
						t.Errorf("%s uses %s, which no recording rule records", where, n)
					}
				} else if !scraped[n] {
					t.Errorf("%s uses %s, which the metrics do not expose", where, n)
				}
			}
		}
		if used == 0 {
			t.Errorf("%s uses no Atiende series", where)
		}
	}
	check("the rules", ruleExprs)
	check("the dashboard", dashboardExprs(t))
}

// Every recording rule and alert has a case in the promtool tests.
func TestEveryRuleTested(t *testing.T) {
	records, alerts, _ := readRules(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(deployDir, "tests", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rec, al := read("recording_test.yml"), read("alerts_test.yml")
	for r := range records {
		if !strings.Contains(rec, "expr: round("+r+",") && !strings.Contains(rec, "expr: "+r+"\n") {
			t.Errorf("recording rule %s has no case in tests/recording_test.yml", r)
		}
	}
	for a := range alerts {
		if !strings.Contains(al, "alertname: "+a+"\n") {
			t.Errorf("alert %s has no case in tests/alerts_test.yml", a)
		}
	}
}
