import { describe, expect, it } from 'vitest';
import { patientFolderOf } from '../../src/common/patientFolder.js';

describe('patientFolderOf (reference §3, cleanup of ID/name, syntax 3/4)', () => {
  it('keeps a plain ID of up to 16 characters', () => {
    expect(patientFolderOf('12345678')).toBe('12345678');
    expect(patientFolderOf('123456782')).toBe('123456782');
    expect(patientFolderOf('MF-00123')).toBe('MF-00123');
  });

  it('turns each of / \\ ; > < | , . space : ? * " into _', () => {
    for (const ch of ['/', '\\', ';', '>', '<', '|', ',', '.', ' ', ':', '?', '*', '"']) expect(patientFolderOf(`AB${ch}12`)).toBe('AB_12');
  });

  it('ends at any other byte below 0x21, strips trailing _, and makes an empty ID unknown', () => {
    expect(patientFolderOf('AB\t12')).toBe('AB');
    expect(patientFolderOf('AB12..')).toBe('AB12');
    expect(patientFolderOf('...')).toBe('unknown');
    expect(patientFolderOf('')).toBe('unknown');
  });

  it('cuts to 16 characters after the cleanup', () => {
    expect(patientFolderOf('1234567890123456789')).toBe('1234567890123456');
    expect(patientFolderOf('12.34.56.78.90.12.34')).toBe('12_34_56_78_90_1');
  });
});
