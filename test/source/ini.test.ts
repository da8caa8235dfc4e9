/** parseDicomIni: the few dicom.ini keys the forensics need. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDicomIni } from '../../src/source/ini.js';
import { REAL } from '../helpers.js';

describe('parseDicomIni', () => {
  it('reads the genuine router dicom.ini', () => {
    const text = readFileSync(path.join(REAL, 's6-zip-rotation', 'router', 'dicom.ini'), 'latin1');
    const c = parseDicomIni(text, 'router/dicom.ini');
    expect(c).toMatchObject({ source: 'router/dicom.ini', myAe: 'ROUTER', pacsName: 'ROUTER', fileNameSyntax: '4', zipTime: '19:36' });
    expect(c.virtualServers).toEqual(['MAINPACS']);
    expect(c.magDevices).toEqual(['/opt/conquest/data/']);
  });

  it('takes keys case-insensitively, CRLF, a BOM, comments; sorts numbered keys; drops virtual server flags', () => {
    const text =
      '\uFEFF[sscscp]\r\n# comment\r\n; other comment\r\nmyacrnema = CONQUESTSRV1  \r\nPACSNAME=PACS\r\n' +
      'VirtualServerFor1 = SECOND,CACHE\r\nVirtualServerFor0 = FIRST\r\nVirtualServerFor2 =\r\n' +
      'MAGDevice10 = E:\\\\d10\\\\\r\nMAGDevice0 = D:\\\\dicomdata\\\\\r\nMAGDevice2 = F:\\\\d2\\\\\r\nZipTime = 05:\r\nnot a key line\r\n';
    const c = parseDicomIni(text, 'D:/conquest/dicom.ini');
    expect(c.myAe).toBe('CONQUESTSRV1');
    expect(c.pacsName).toBe('PACS');
    expect(c.virtualServers).toEqual(['FIRST', 'SECOND']);
    expect(c.virtualServerSlots).toEqual([0, 1]);
    expect(c.magDevices).toEqual(['D:\\\\dicomdata\\\\', 'F:\\\\d2\\\\', 'E:\\\\d10\\\\']);
    expect(c.zipTime).toBe('05:');
    expect(c.fileNameSyntax).toBeNull();
  });

  it('ignores keys of other sections', () => {
    const c = parseDicomIni('[sscscp]\nMyACRNema = MAIN\n[lua]\nMyACRNema = NOTME\nPACSName = NOTME\n[SSCSCP]\nPACSName = AGAIN\n', 'x');
    expect(c.myAe).toBe('MAIN');
    expect(c.pacsName).toBe('AGAIN');
  });

  it('reads the latin1 BOM bytes of an ini read as latin1, and an empty ini', () => {
    expect(parseDicomIni(Buffer.from('\uFEFFMyACRNema = A\n', 'utf8').toString('latin1'), 'x').myAe).toBe('A');
    expect(parseDicomIni('', 'x')).toEqual({ source: 'x', myAe: null, pacsName: null, virtualServers: [], virtualServerSlots: [], magDevices: [], fileNameSyntax: null, zipTime: null });
  });
});
