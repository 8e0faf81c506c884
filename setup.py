"""Package metadata, read from settings.ini (the single source nbdev also reads)."""
from configparser import ConfigParser
from pathlib import Path
import setuptools

here = Path(__file__).parent
cfg = ConfigParser(delimiters=['='])
cfg.read(here / 'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

def _reqs(key):
    "Space-separated requirement list from settings.ini."
    return cfg.get(key, '').split()

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable',
            '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()
min_python = cfg['min_python']
lic = licenses[cfg['license']]

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(here / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    author=cfg['author'],
    author_email=cfg['author_email'],
    url=cfg['git_url'],
    license=lic[0],
    keywords=cfg['keywords'].split(),
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status']) - 1],
        'Intended Audience :: ' + cfg['audience'],
        'License :: ' + lic[1],
        'Natural Language :: ' + cfg['language'],
    ] + ['Programming Language :: Python :: ' + v for v in py_versions[py_versions.index(min_python):]],
    # the package, its bundled dialogue set, and the presets: configs/ at the top of the repository (where users
    # and the README find them) is installed as embedding_trainer/configs, so `--config dialogue` works anywhere
    packages=setuptools.find_packages(include=['embedding_trainer', 'embedding_trainer.*'])
             + ['embedding_trainer.bundled', 'embedding_trainer.configs'],
    package_dir={'embedding_trainer.configs': 'configs'},
    include_package_data=True,
    package_data={'embedding_trainer.bundled': ['*.jsonl', '*.npz'], 'embedding_trainer.configs': ['*.yaml']},
    install_requires=_reqs('requirements'),
    extras_require={'dev': _reqs('dev_requirements'), 'teacher': _reqs('teacher_requirements'),
                    'corpus': _reqs('corpus_requirements'), 'export': _reqs('export_requirements'),
                    'tensorboard': _reqs('tensorboard_requirements')},
    python_requires='>=' + min_python,
    zip_safe=False,
    entry_points={
        'console_scripts': cfg.get('console_scripts', '').split(),
        'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"],
    },
)
