import { describe, expect, it } from 'vitest';
import { isSoftwareRenderer, lowersWhileMoving } from '../../renderer/map/smooth-map';

describe('smooth map mode', () => {
  it('recognises software WebGL renderers by name', () => {
    // As Chromium reports them: SwiftShader (this machine), Mesa's llvmpipe (Linux without a GPU driver), WARP
    // (Windows remote desktops and VMs).
    for (const name of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'ANGLE (Mesa, llvmpipe (LLVM 15.0.6 256 bits), OpenGL 4.5)',
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
    ]) expect(isSoftwareRenderer(name), name).toBe(true);
    for (const name of [
      'ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (NVIDIA Corporation, NVIDIA GeForce GTX 1050/PCIe/SSE2, OpenGL 4.5.0)',
      'Mali-G78', 'WebKit WebGL', '',
    ]) expect(isSoftwareRenderer(name), name).toBe(false);
  });

  it('lowers the resolution while moving: automatically only in software', () => {
    expect(lowersWhileMoving('auto', true)).toBe(true);
    expect(lowersWhileMoving('auto', false)).toBe(false);
    expect(lowersWhileMoving('always', false)).toBe(true);
    expect(lowersWhileMoving('never', true)).toBe(false);
  });
});
