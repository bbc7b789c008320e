"""The research machinery behind ``tools/``: the experiments that measure
TDMI on the built-in videos, as a library.

Not imported by ``tdmi_mmpose`` itself (the model, data and inference
code never need it); matplotlib and scipy are imported where they are used.

* :mod:`.models`: the one table of named models (config, budget, label, the
  run a warm start begins from), the data root and run paths;
* :mod:`.jobs`: configs of a run, their stamps, training (or reusing) and
  evaluating a run;
* :mod:`.video_eval`: the validation videos, their boxes, and the PoseTrack
  mAP of an inferencer run over them;
* :mod:`.records`: the run record every tool keeps (resume, skip, ETA, a
  corrupt record named and kept);
* :mod:`.stats`: per-seed summaries and paired differences;
* :mod:`.figures`: the figures, drawn from results;
* :mod:`.main_job`, :mod:`.ablation`, :mod:`.frontier`, :mod:`.reuse`,
  :mod:`.cost`, :mod:`.benchmark`, :mod:`.warm_start_w48`: the
  experiments;
* :mod:`.docs`: the tables and figures of the documentation, regenerated
  from the records kept in ``docs/en/records``.
"""
