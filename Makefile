# Two commands matter: `make run` (the demo platform on SQLite) and `make test` (the tests).
# Both need only Python 3.11+, pip and make; the Python packages are installed into .venv/ at the
# versions pinned in constraints.txt, and the few Debian packages (Chromium for the browser tests,
# poppler for the PDF tests, the CJK font of the PDF exports) by scripts/debian-packages when run
# as root, which otherwise says in one line what to install.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
SCREENS_PORT ?= 5111
export FLASK_APP := wsgi

.PHONY: run test install translations messages lock clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/pybabel compile --statistics -d notify/translations

# The timed jobs run inside the app (SCHEDULER_IN_PROCESS=1; production runs `flask scheduler`),
# starting with the app's first console request, which the line below makes as soon as it listens
# (public pages may be served from the static export without running the app's request hooks).
# The stand-ins of sandbox/ run beside the app (Twilio on :5101, Aliyun on :5102, the WeCom,
# DingTalk and Feishu robots on :5105, a partner's webhook receiver on :5106) and stop with it;
# SMS receipts and status callbacks come back to this app's /callbacks/.
# NOTIFY_ENV=demo: the stand-ins' public keys and secrets generated into instance/ are accepted.
run: export NOTIFY_ENV := demo
run: translations
	@scripts/debian-packages run
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask public-export
	@echo ""
	@echo "  Public site:  http://$(HOST):$(PORT)/"
	@echo "  Console:      http://$(HOST):$(PORT)/admin/"
	@echo "  LED screens:  http://$(HOST):$(SCREENS_PORT)/screen.png?screen=1  (simulated gateways; screen 9 is left silent)"
	@echo "  (logins above; Ctrl-C stops the platform and the gateway stand-ins)"
	@echo ""
	@export CALLBACK_BASE_URL=http://$(HOST):$(PORT) SCHEDULER_IN_PROCESS=1; \
	  $(BIN)/python -m sandbox & SANDBOX=$$!; \
	  $(BIN)/python -m sandbox.screen_simulator --demo-fleet http://$(HOST):$(PORT) --control-port $(SCREENS_PORT) & SCREENS=$$!; \
	  $(BIN)/python -c "import time, urllib.request; time.sleep(3); urllib.request.urlopen('http://$(HOST):$(PORT)/admin/login', timeout=30)" >/dev/null 2>&1 & \
	  trap 'kill $$SANDBOX $$SCREENS 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

# TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make test  runs on PostgreSQL.
test: translations
	@scripts/debian-packages test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# After changing user-facing text: refresh the catalogue, translate the new entries in
# notify/translations/zh_Hans_CN/LC_MESSAGES/messages.po, and commit it.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o notify/translations/messages.pot .
	$(BIN)/pybabel update -i notify/translations/messages.pot -d notify/translations

# After changing dependencies in pyproject.toml: pin what .venv/ now holds (then make test, commit).
lock: install
	$(BIN)/pip install --quiet -e ".[test]"
	( sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable ) > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) instance/notify.sqlite3
