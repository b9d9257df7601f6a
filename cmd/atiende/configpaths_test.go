package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConfigFilesRelativeToConfig: files named in the configuration are
// found next to it, from whatever directory Atiende runs in (make run uses
// deploy/demo.yml's escalation-demo.yml from the repository's root).
func TestConfigFilesRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "atiende.yml")
	if err := os.WriteFile(path, []byte("escalation:\n  file: esc.yml\nflow_file: /abs/flow.yaml\ncatalog_file: sub/catalog.yml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Escalation.File != filepath.Join(dir, "esc.yml") || cfg.FlowFile != "/abs/flow.yaml" || cfg.CatalogFile != filepath.Join(dir, "sub/catalog.yml") {
		t.Errorf("escalation.file %q, flow_file %q, catalog_file %q", cfg.Escalation.File, cfg.FlowFile, cfg.CatalogFile)
	}
}
