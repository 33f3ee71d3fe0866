import sys, tempfile, glob
from pathlib import Path
from bench.clm_wer import train_lm, EVAL, DEV_IDS
from jargonaut.evaluate.manifests import read_manifest
from jargonaut.asr.decoder import transcribe as T
orig = T.FusedWhisper._second_pass
def sp(self, cross, prompt, filters, state, kw, first):
    r = orig(self, cross, prompt, filters, state, kw, first)
    v=self._vocab
    print("  DRAFT:", v.decode([t for t in first.tokens if t<v.eot]))
    print("  TERMS:", self.last_terms)
    if r is not first or True:
        print("  FINAL:", "(pass2)" if r is not first else "(pass1)")
    return r
T.FusedWhisper._second_pass = sp
from jargonaut.evaluate.run import make_transcriber, decode
text = [Path(p) for p in sorted(glob.glob(str(EVAL / "medical" / "lm-text" / "*.txt")))]
lm = train_lm(text, Path(tempfile.mkdtemp()))
items = [i for i in read_manifest(EVAL / "medical") if i.id == sys.argv[1]]
t = make_transcriber("WideBand", lm)
a = decode(items[0].audio)[:16000*120]
print(t(a))
