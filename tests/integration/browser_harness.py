"""Headless Chromium for the dashboard tests: playwright-core from tests/browser's lockfile
(no browser download; Debian's /usr/bin/chromium) and a node script from tests/browser run
beside it, speaking one JSON object per line on stdout."""
import os
import shutil
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHROMIUM = os.environ.get("PLINTH_CHROMIUM", "/usr/bin/chromium")


def install_playwright(browser_dir):
    """playwright-core from the lockfile into the build dir (no browser download)."""
    marker = os.path.join(browser_dir, "node_modules", "playwright-core", "package.json")
    if os.path.exists(marker):
        return
    npm = shutil.which("npm")
    if not npm:
        raise AssertionError("npm is missing: run tools/install-deps.sh (PLINTH_WITH_TEST_DEPS=1)")
    os.makedirs(browser_dir, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(REPO, "tests", "browser", name), browser_dir)
    run = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=browser_dir,
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise AssertionError(f"npm ci for playwright-core failed:\n{run.stdout}\n{run.stderr}")


def start_node(test_case, script_name, args, browser_dir, log_path):
    """Runs tests/browser/<script_name> with `args`; reaped by the test case's cleanup."""
    # ES modules resolve packages next to the script: run a copy beside node_modules.
    script = shutil.copy(os.path.join(REPO, "tests", "browser", script_name), browser_dir)
    log = open(log_path, "wb")
    node = subprocess.Popen(["node", script, *args], cwd=browser_dir,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)

    def reap():
        if node.poll() is None:
            node.kill()
            node.wait()
        node.stdin.close()
        node.stdout.close()
        log.close()
    test_case.addCleanup(reap)
    return node
