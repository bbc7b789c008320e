"""The package's layers import only downward: no import circle inside
``tdmi_mmpose`` (imports inside functions included), and the model
utilities import nothing from heads, necks or estimators."""
import ast
import os
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PACKAGE = 'tdmi_mmpose'


def module_files(root=ROOT, package=PACKAGE):
    """``{module name: file}`` of every module of ``package``."""
    out = {}
    for folder, _, files in os.walk(osp.join(root, package)):
        for name in files:
            if not name.endswith('.py'):
                continue
            rel = osp.relpath(osp.join(folder, name), root)[:-3]
            parts = rel.split(os.sep)
            if parts[-1] == '__init__':
                parts = parts[:-1]
            out['.'.join(parts)] = osp.join(folder, name)
    return out


def imports_of(module, path, modules):
    """The modules of the package that ``module`` imports anywhere in its
    file (``from pkg import name`` counts as ``pkg.name`` where that is a
    module, else as ``pkg``)."""
    is_pkg = path.endswith('__init__.py')
    base = module.split('.') if is_pkg else module.split('.')[:-1]
    found = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[:len(base) - node.level + 1]
                target = '.'.join(parent + ([node.module]
                                            if node.module else []))
            else:
                target = node.module
            names = [f'{target}.{a.name}' if f'{target}.{a.name}' in modules
                     else target for a in node.names]
        else:
            continue
        found.update(n for n in names if n in modules and n != module)
    return found


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def import_graph(root=ROOT, package=PACKAGE):
    modules = module_files(root, package)
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, f'import circles inside {PACKAGE}: {found}'


def test_cycle_checker_finds_a_circle(tmp_path):
    """The checker fails on a circle made through a function-level
    import, as the warm start's was."""
    pkg = tmp_path / 'pkg'
    (pkg / 'a').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'a' / '__init__.py').write_text('from .x import f\n')
    (pkg / 'a' / 'x.py').write_text('def f():\n    from ..b import g\n')
    (pkg / 'b.py').write_text('from .a import f\n\ndef g():\n    pass\n')
    assert cycles(import_graph(str(tmp_path), 'pkg')) == [
        ['pkg.a', 'pkg.a.x', 'pkg.b']]


def test_model_utils_import_nothing_above_them():
    graph = import_graph()
    above = ('heads', 'necks', 'pose_estimators', 'backbones', 'losses',
             'data_preprocessors')
    for module, deps in graph.items():
        if module.startswith(f'{PACKAGE}.models.utils'):
            bad = [d for d in deps if d.split('.')[2:3] and
                   d.split('.')[2] in above]
            assert not bad, f'{module} imports {bad}'


def test_evaluation_maths_import_no_metric():
    """``evaluation.functional`` (the PoseTrack maths) imports nothing from
    ``evaluation.metrics`` (the mmengine metrics built on it), anywhere in
    its files."""
    graph = import_graph()
    functional = f'{PACKAGE}.evaluation.functional'
    for module, deps in graph.items():
        if module.startswith(functional):
            bad = [d for d in deps
                   if d.startswith(f'{PACKAGE}.evaluation.metrics')]
            assert not bad, f'{module} imports {bad}'


def test_experiments_not_imported_by_the_package():
    """``tdmi_mmpose.experiments`` (the research machinery) is imported by
    the tools, never by the library itself."""
    graph = import_graph()
    for module, deps in graph.items():
        if module.startswith(f'{PACKAGE}.experiments'):
            continue
        bad = [d for d in deps if d.startswith(f'{PACKAGE}.experiments')]
        assert not bad, f'{module} imports {bad}'


def test_experiments_take_explicit_inputs_and_say_through_one_logger():
    """The research application reads no argparse namespace (its runs
    take :class:`ExperimentParams`), finds no folder from its own place
    except in ``params`` (the one paths object), and says what it does
    through ``progress.log``, not ``print``."""
    for module, path in module_files().items():
        if not module.startswith(f'{PACKAGE}.experiments'):
            continue
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(
                    node.func, 'id', None) == 'print':
                raise AssertionError(f'{path}:{node.lineno} prints')
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [
                    getattr(node, 'module', None) or '']
                assert 'argparse' not in names, f'{path} imports argparse'
            if isinstance(node, ast.arg) and not module.endswith('.cli'):
                # cli.py is the step from the tools' arguments to params
                assert node.arg != 'args', f'{path}:{node.lineno} args'
            if isinstance(node, ast.Name) and node.id == '__file__':
                assert module.endswith('.params'), \
                    f'{path}:{node.lineno} finds a folder from __file__'


def test_tools_are_thin_and_find_the_package_by_import():
    """Every tool is argument parsing over the package: about 200 lines at
    most, and neither the tools nor the tests edit the module path."""
    edit = 'sys.' + 'path'  # spelt so that this file does not match
    for top in ('tools', 'demo', 'tests'):
        for folder, _, files in os.walk(osp.join(ROOT, top)):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = osp.join(folder, name)
                text = open(path).read()
                assert edit not in text, path
                if top == 'tools':
                    assert text.count('\n') <= 200, path


def test_the_video_inferencer_holds_only_what_is_video_specific():
    """The video inferencer stays readable (at most 350 lines): people per
    frame live in ``apis.people``, the helpers that are not inferencers
    (feature reuse, the person tracker, smoothing, the video model's
    loading) in ``apis/inferencers/utils`` as mmpose keeps its own."""
    folder = osp.join(ROOT, PACKAGE, 'apis', 'inferencers')
    with open(osp.join(folder, 'video_pose_inferencer.py')) as f:
        lines = len(f.readlines())
    assert lines <= 350, f'video_pose_inferencer.py has {lines} lines'
    helpers = sorted(os.listdir(osp.join(folder, 'utils')))
    for name in ('feature_reuse.py', 'person_tracker.py', 'smoothing.py',
                 'video_model.py'):
        assert name in helpers
    graph = import_graph()
    deps = graph[f'{PACKAGE}.apis.inferencers.video_pose_inferencer']
    assert f'{PACKAGE}.apis.people' in deps
