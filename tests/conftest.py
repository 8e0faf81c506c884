def pytest_configure(config):
    config.addinivalue_line('markers', 'browser: drives a real JupyterLab in headless Chromium (needs '
                                       '/usr/bin/chromium)')
    config.addinivalue_line('markers', 'serial: measures wall time (or drives a browser), so `make pytest` runs it '
                                       'after the parallel part, alone on the machine')
