"""Registers and spills of the fused kernels, compiled for sm_90a with Triton's own ptxas, on a machine without a
GPU (Triton installed beside a CPU torch). The benchmark case's shapes: 32^3 x 16, S 16, H 128, 6 neighbours, zero
boundary, clamp, learned positions (pos_dim 4), bf16; launch settings and env switches as FusedConfig reads them.

    FUSED_B1_FP32=0 python benchmarks/fused/aot_check.py [--kernels bwd,w1,dx,fwd] [--S 16 --H 128]
"""
import argparse, os, re, subprocess, tempfile
import triton
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource
from embedding_trainer import fused as F

def compile_one(fn, ptrs, consts, warps, stages, maxnreg=None):
    sig = {}
    for name in fn.arg_names:
        if name in consts: sig[name] = 'constexpr'
        elif name in ptrs: sig[name] = ptrs[name]
        else: sig[name] = 'i32'
    # as Triton specializes a launch: 16-byte aligned pointers and integers divisible by 16 (32^3 x 16 case)
    div = {(i,): [['tt.divisibility', 16]] for i, n in enumerate(fn.arg_names)
           if n in ptrs or (n not in consts and n in ('n_cells', 'n_tiles', 'n_sp', 'n_items', 'B', 'X', 'Y', 'Z'))}
    src = ASTSource(fn, sig, constexprs=consts, attrs=div)
    k = triton.compile(src, target=GPUTarget('cuda', 90, 32),
                       options=dict(num_warps=warps, num_stages=stages, maxnreg=maxnreg))
    ptx = k.asm['ptx']
    with tempfile.TemporaryDirectory() as d:
        open(f'{d}/k.cubin', 'wb').write(k.asm['cubin'])   # the cubin Triton itself built (its ptxas options)
        tool = os.path.join(os.path.dirname(triton.__file__), 'backends', 'nvidia', 'bin', 'cuobjdump')
        log = subprocess.run([tool, '--dump-resource-usage', f'{d}/k.cubin'], capture_output=True, text=True).stdout
    regs = int(re.search(r'REG:(\d+)', log).group(1))
    spills = int(re.search(r'STACK:(\d+)', log).group(1))
    print(f'  shared memory {k.metadata.shared} B')
    return regs, spills, len(re.findall(r'wgmma.mma_async', ptx)), len(re.findall(r'mma.sync', ptx))

SWITCHES = ('B1', 'FUSE', 'SHADOW', 'DP', 'XC')   # the constexprs printed beside each kernel

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--kernels', default='fwd,bwd,w1,dx')
    p.add_argument('--S', type=int, default=16)
    p.add_argument('--H', type=int, default=128)
    p.add_argument('--Q', type=int, default=4)
    a = p.parse_args()
    S, H, Q, NS = a.S, a.H, a.Q, 7
    SP = F.pow2(max(S, Q + 1)); HP = F.pow2(H); NSP = triton.next_power_of_2(NS + 1); KP = NSP * SP
    KC = min(KP, max(SP, 128)); NCH = KP // KC
    n = 32 if os.environ.get('FUSED_DIMS', '1') != '0' else 0   # the 32^3 lattice's sizes as constants, or none
    dims = dict(XC=n, YC=n, ZC=n)
    base = dict(NB=6, NS=NS, S=S, SP=SP, Q=Q, KC=KC, NCH=NCH, HP=HP, PERIODIC=False, HAS_CLAMP=True, BF16=True, **dims)
    launch = F._launch_settings(16, 32, 32, 32, HP, True, 132, KP)   # FusedConfig's, FUSED_* overrides included
    b1 = os.environ.get('FUSED_B1_FP32', '2')
    sh = os.environ.get('FUSED_SHADOW', '1') != '0'   # gathers read bf16 copies
    w1dp = os.environ.get('FUSED_W1_DP', '0') != '0'
    g = '*bf16' if sh else '*fp32'
    for name in a.kernels.split(','):
        L = launch[name]
        BM, warps, stages, maxnreg = (L.get(k) for k in ('BM', 'num_warps', 'num_stages', 'maxnreg'))
        bf = '*bf16'
        if name == 'fwd':
            fn, c = F._fwd_kernel, dict(base, HAS_MASK=False, BM=BM, SHADOW=sh)
            ptrs = dict(src='*fp32', clamp='*fp32', gsrc=g, gclamp=g, fmask='*fp32', posb=g, w1=bf, w2=bf, b2=bf,
                        dst='*fp32', dst16=bf)
        elif name == 'bwd':
            fn = F._bwd_h_kernel
            c = dict(base, HAS_MASK=False, BM=BM, FUSE_DW1=False, POS_GRAD=False, DP_OUT=False)
            c.update({k: v for k, v in dict(B1_FP32=int(b1)).items() if k in fn.arg_names})
            ptrs = dict(src=g, clamp=g, fmask='*fp32', posb=g, w1=bf, w2=bf, g='*fp32', dh_out=bf,
                        part_w1='*fp32', part_w2='*fp32', part_b2='*fp32', part_b1='*fp32', dpos='*fp32')
            c = {k: v for k, v in c.items() if k in fn.arg_names}
        elif name == 'w1':
            fn, c = F._bwd_w1_kernel, dict(base, BM=BM, POS_GRAD=True, DP_OUT=w1dp)
            ptrs = dict(src=g, clamp=g, posb=g, dh=bf, w1=bf, part_w1='*fp32', dpos='*fp32', dp_out=bf)
        else:
            fn = F._bwd_x_kernel
            c = dict(NB=6, NS=NS, S=S, SP=SP, HP=HP, KP=KP, BM=BM, PERIODIC=False, HAS_CLAMP=True, BF16=True,
                     DP_IN=w1dp, **dims)
            ptrs = dict(dh=bf, w1=bf, g='*fp32', dst='*fp32', dclamp='*fp32')
        c = {k: v for k, v in c.items() if k in fn.arg_names}
        regs, spills, wg, mma = compile_one(fn, ptrs, c, warps, stages, maxnreg)
        cap = f' maxnreg {maxnreg}' if maxnreg else ''
        print(f"{name}: BM {BM} warps {warps} stages {stages}{cap}: {regs} registers, {spills} B stack, "
              f"{wg} wgmma, {mma} mma.sync  ({ {k: v for k, v in c.items() if k.startswith(SWITCHES)} })")

if __name__ == '__main__': main()
