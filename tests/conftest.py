def pytest_configure(config):
    config.addinivalue_line('markers', 'browser: drives a real JupyterLab in headless Chromium (needs '
                                       '/usr/bin/chromium)')
