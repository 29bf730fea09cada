# lgmcl — one build configuration for the tool, the tests and the benchmarks: release with
# -enable-testing, so `make build` and `make test` share one .build/release and numeric tests
# run at release speed.
SHELL := /bin/bash
SWIFT ?= swift
# TARGET_CPU: the CPU the Swift code is compiled for. haswell (AVX2, FMA: x86 CPUs since 2013)
# when this machine has them, which makes the elementwise kernels (GELU, dropout, softmax,
# attention scores) use 8-lane vectors and the joint pretraining step ~11% cheaper
# (docs/benchmarks-pretrain.md); x86-64 runs on any 64-bit x86. Results are the same to the bit
# (Swift does not contract a * b + c into FMA). A haswell build refuses to start on a CPU
# without those instructions (Sources/CTargetCPU); for a cluster with older nodes build with
# `make build TARGET_CPU=x86-64` (docs/cluster.md, "Building for the nodes").
TARGET_CPU ?= $(shell f=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null); \
	for x in avx2 fma bmi2 f16c movbe; do [[ " $$f " == *" $$x "* ]] || { echo x86-64; exit; }; done; echo haswell)
ifeq ($(TARGET_CPU),haswell)
CPU_FLAGS := -Xswiftc -target-cpu -Xswiftc haswell -Xcc -DLGMCL_TARGET_HASWELL
else ifeq ($(TARGET_CPU),x86-64)
CPU_FLAGS :=
else
$(error TARGET_CPU=$(TARGET_CPU): use haswell or x86-64)
endif
# The commit a build is made from goes into the executable (Sources/CBuildInfo), so results written
# by a copy of it still name their build; the header changes only with the commit.
BUILD_INFO_DIR := $(CURDIR)/.build/build-info
SWIFT_FLAGS := -c release -Xswiftc -enable-testing $(CPU_FLAGS) -Xcc -I$(BUILD_INFO_DIR)
# `swift test` adds its own -enable-testing to every module unless told not to (testable
# imports, on by default); SWIFT_FLAGS already has it, and the second copy changes every
# module's command line, so each switch between `make build` and `make test` recompiled all
# modules, dependencies included. Subsets: make test TEST_ARGS="--filter FinetuneTests".
SWIFT_TEST_FLAGS := $(SWIFT_FLAGS) --disable-testable-imports
TEST_ARGS ?=
BIN := .build/release
NP ?= 2

# rdkit-data: the font RDKit's depictions (explain's drawings) write their atom labels with;
# without it RDKit falls back to its own line glyphs.
DEB_PACKAGES := libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-dev hdf5-tools librdkit-dev rdkit-data \
	libboost1.81-dev zlib1g-dev libssl-dev pkg-config
# Only for `make test-slurm`: a real Slurm and munge, which the test runs privately (never part of
# setup, build or test: a user's build must not install or touch a Slurm).
SLURM_DEB_PACKAGES := slurmctld slurmd slurm-client munge
# Only for regenerating oracle fixtures (scripts/); CI never needs them.
ORACLE_DEB_PACKAGES := python3-rdkit

# Open MPI refuses root without these; tests and the demo may start more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OPENBLAS_NUM_THREADS := 1
MPIRUN := mpirun --oversubscribe

.PHONY: setup setup-oracles setup-slurm venv build build-info explain-report test test-forced-kernel test-multihost test-slurm bench-allreduce check-scripts demo clean

setup: .setup-done
.setup-done:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	else echo "setup: system packages present"; fi
	@command -v $(SWIFT) >/dev/null || { echo "setup: swift not found on PATH (Swift 6.x toolchain required)"; exit 1; }
	@touch $@

# The explain report (docs/explain.md): fine-tunes BBBP twice, explains 50 test molecules each,
# and screenshots the pages in headless Chromium, which only this target installs.
explain-report: build
	@dpkg -s chromium >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium; }
	scripts/explain_report.sh

setup-oracles: setup
	@dpkg -s $(ORACLE_DEB_PACKAGES) >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $(ORACLE_DEB_PACKAGES); }

# Python tools for fixture generators and benchmark peers (PyTorch, transformers, chemprop…).
# A machine whose image carries PyTorch's CPU wheel in /opt/wheels installs that one first (its
# exact version, dependencies from PyPI): download.pytorch.org is not reachable from every machine.
venv: .venv/bin/python
.venv/bin/python: scripts/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	@wheel=$$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -n 1); extra="--extra-index-url https://download.pytorch.org/whl/cpu"; \
	if [ -n "$$wheel" ]; then version=$$(basename "$$wheel" | cut -d- -f2); extra=""; \
	  echo "venv: torch $$version from /opt/wheels"; .venv/bin/pip install -q --find-links /opt/wheels "torch==$$version" || exit 1; fi; \
	.venv/bin/pip install -q $$extra -r scripts/requirements.txt
	@touch $@

build: setup build-info
	$(SWIFT) build $(SWIFT_FLAGS)

build-info:
	@mkdir -p $(BUILD_INFO_DIR); commit=$$(git rev-parse HEAD 2>/dev/null || echo unknown); \
	[ "$$commit" = unknown ] || git diff --quiet HEAD -- . ':(exclude)docs' 2>/dev/null || commit="$$commit-dirty"; \
	line="#define LGMCL_BUILD_COMMIT \"$$commit\""; header=$(BUILD_INFO_DIR)/lgmcl_build_commit.h; \
	[ "$$(cat $$header 2>/dev/null)" = "$$line" ] || echo "$$line" > $$header

test: build
	@start=$$(date +%s); \
	$(SWIFT) test $(SWIFT_TEST_FLAGS) $(TEST_ARGS); status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# The tests that compare bits across ranks and hosts, under the environment some machine images
# export (a forced OpenBLAS core and L2 size): every rank must get it, or --deterministic refuses.
# Haswell's kernels need AVX2 and FMA; a CPU without them is reported, not tested.
FORCED_KERNEL_TESTS := MultiHostTests|ParityTests|PretrainTests|NumericEnvironmentTests
test-forced-kernel: build
	@if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then \
	  echo "test-forced-kernel: $(FORCED_KERNEL_TESTS) with OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512"; \
	  OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512 $(MAKE) --no-print-directory test TEST_ARGS='--filter "$(FORCED_KERNEL_TESTS)"'; \
	else echo "test-forced-kernel: this CPU has no AVX2/FMA, so the Haswell kernel cannot run here; not run"; fi

# Three hosts as network namespaces, ranks over TCP between them (root; see docs/cluster.md).
# `make test` runs the same cases through Tests/DistributedTests/MultiHostTests.swift.
test-multihost: build
	cluster/test-multihost --bin $(BIN)

# The cluster kit under a real Slurm (root): munged, slurmctld and slurmd with a private
# configuration in a temporary directory, every stop path of cluster/slurm/pretrain.sbatch
# (docs/cluster.md, section 8). Installing Debian's packages starts no daemon in a container with
# policy-rc.d; on a machine where they would start, the test refuses to run beside them.
setup-slurm:
	@missing=""; for p in $(SLURM_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup-slurm: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	else echo "setup-slurm: Slurm and munge present"; fi
test-slurm: build setup-slurm
	@start=$$(date +%s); cluster/test-slurm --bin $(BIN); status=$$?; \
	echo "make test-slurm: $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# Allreduce latency and bandwidth, lgmcl beside plain C, into docs/benchmarks-allreduce.md.
bench-allreduce: build
	cluster/bench/allreduce.sh --bin $(BIN)

# Shell scripts: syntax always, shellcheck when installed (Debian package shellcheck).
SHELL_SCRIPTS := cluster/lgmcl-launch cluster/test-multihost cluster/netns/agent cluster/netns/hosts.sh \
	cluster/slurm/pretrain.sbatch cluster/bench/allreduce.sh cluster/test-slurm $(wildcard scripts/*.sh)
check-scripts:
	@for f in $(SHELL_SCRIPTS); do bash -n $$f || exit 1; done
	@if command -v shellcheck >/dev/null; then shellcheck -x $(SHELL_SCRIPTS) && echo "check-scripts: shellcheck clean"; \
	else echo "check-scripts: bash -n only (apt-get install shellcheck for more)"; fi

DEMO_DIR := out/demo
DEMO_ROWS := 2000
DEMO_EPOCHS := 5
demo: build
	@echo "== 1/6 lgmcl-dist info under mpirun -np $(NP): versions, one line per rank"
	$(MPIRUN) -np $(NP) $(BIN)/lgmcl-dist info
	@mkdir -p $(DEMO_DIR)
	@gzip -dc data/samples/moses_head20k.csv.gz | head -n $$(( $(DEMO_ROWS) + 1 )) > $(DEMO_DIR)/moses.csv
	@echo "== 2/6 preprocess the first $(DEMO_ROWS) molecules of the MOSES corpus on $(NP) ranks -> $(DEMO_DIR)/moses.h5"
	rm -f $(DEMO_DIR)/moses.h5
	$(MPIRUN) -np $(NP) $(BIN)/lgmcl-dist preprocess --input $(DEMO_DIR)/moses.csv --output $(DEMO_DIR)/moses.h5 --vocab-size 1000 --progress-interval 5
	@echo "== 3/6 graph pretraining (local vs global NT-Xent), tiny preset, $(NP) ranks -> $(DEMO_DIR)/pretrained"
	rm -rf $(DEMO_DIR)/pretrained
	$(MPIRUN) -np $(NP) $(BIN)/lgmcl-dist pretrain --data $(DEMO_DIR)/moses.h5 --output $(DEMO_DIR)/pretrained \
	  --stage graph --preset tiny --batch-size 64 --epochs 1 --log-interval 5
	@echo "== 4/6 text pretraining (SMILES vs description NT-Xent) into the same directory"
	$(MPIRUN) -np $(NP) $(BIN)/lgmcl-dist pretrain --data $(DEMO_DIR)/moses.h5 --output $(DEMO_DIR)/pretrained \
	  --stage text --preset tiny --batch-size 64 --max-steps 20 --log-interval 5
	@echo "== 5/6 fine-tune on BBBP (blood-brain barrier penetration; random 60/20/20 split, seed 0) from the pretrained encoders -> $(DEMO_DIR)/bbbp"
	rm -rf $(DEMO_DIR)/bbbp
	$(MPIRUN) -np $(NP) $(BIN)/lgmcl-dist finetune --data data/moleculenet/bbbp.csv --output $(DEMO_DIR)/bbbp \
	  --pretrained $(DEMO_DIR)/pretrained --split random --seeds 0 --epochs $(DEMO_EPOCHS) --preset tiny
	@echo "== 6/6 predict blood-brain barrier penetration for a few molecules (one output row per input row; a bad SMILES gets a reason, not a dropped row)"
	@printf 'name,smiles\npropranolol,CC(C)NCC(O)COc1cccc2ccccc12\ncaffeine,Cn1cnc2c1c(=O)n(C)c(=O)n2C\nnot a molecule,C1CC(\ndopamine,NCCc1ccc(O)c(O)c1\n' > $(DEMO_DIR)/molecules.csv
	$(MPIRUN) -np 1 $(BIN)/lgmcl-dist predict --model $(DEMO_DIR)/bbbp --input $(DEMO_DIR)/molecules.csv --output $(DEMO_DIR)/predictions.csv
	@cat $(DEMO_DIR)/predictions.csv
	@echo "== done:"
	@echo "   $(DEMO_DIR)/pretrained  pretrained encoders (graph.safetensors, text.safetensors), metrics, checkpoints"
	@echo "   $(DEMO_DIR)/bbbp        the BBBP model (seed-0/model.safetensors), metrics.json, predictions, learning_curves.svg"
	@echo "   $(DEMO_DIR)/predictions.csv  predictions for $(DEMO_DIR)/molecules.csv"

clean:
	rm -rf .build .setup-done
