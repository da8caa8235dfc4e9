/**
 * Image (de)compression messages: nkiqrsop.cpp, jpegconv.cpp, imagedata.cpp. Reference §5
 * ("JPEG/codec errors `***[DecompressImage]: ...`"); formats from conquest-log-formats.tsv.
 */
import type { CatalogRow } from '../types.js';

/** The bracketed codec names Conquest prints before a compression error. */
const CODECS =
  'DecompressImage|CompressJPEGImage|MakeSegTable|DecodePalette|JPEG Library|LIBJPEG|CompressJPEGL|DecompressJPEGL|CompressJPEG2K|' +
  'DecompressJPEG2K|Libopenjpeg\\(J2k\\)|openJPEG compress|openJPEG decompress|OpenJP2\\(J2k\\)|OpenJP2 compress|OpenJP2 decompress|' +
  'CompressJPEGLS|DecompressJPEGLS';

/**
 * imagedata.cpp problems: printed with the calling codec's name in the brackets, so they are
 * recognised by their text.
 */
const PIXEL_PROBLEMS =
  'Failed to reallocate a new smaller buffer\\.|Failed to allocate a new (?:VR|DDO|image array)\\.|' +
  'Could not allocate (?:\\d+ bytes of memory(?: for an output buffer)?|DePlaning memory|YBR_(?:PARTIAL_420|FULL_422) to YBR_FULL conversion memory)\\.|' +
  'No image array(?: data)? found|Made a bad call\\. Header length > \\d+|No image data found\\.|Failed to get image width\\.|' +
  'Unsuported number of components: \\d+\\.|No image VR|Can not change (?:data|VR 0x0028, 0x0100) to (?:8|16) bits wide\\.|' +
  'Can not create memory fix buffer\\.|Can not change VR 0x0028, 0x0004 to .*';

export const codecRows: CatalogRow[] = [
  {
    kind: 'codec-error',
    description: 'An image could not be compressed or decompressed (JPEG, JPEG-LS, JPEG 2000, NKI, palette)',
    ref: '§5 nkiqrsop.cpp:3441-6173, jpegconv.cpp:148-2878',
    logger: 'N',
    pattern: new RegExp(`^\\*\\*\\*\\[(?<codec>${CODECS})\\]: ?(?<problem>.*)$`),
    samples: [
      { line: '***[DecompressImage]: JPEG library decompression error', fields: { codec: 'DecompressImage', problem: 'JPEG library decompression error' } },
      { line: '***[OpenJP2 compress]:OpenJpeg could not encode the image.', fields: { codec: 'OpenJP2 compress', problem: 'OpenJpeg could not encode the image.' } },
    ],
  },
  {
    kind: 'codec-error',
    description: 'Pixel data could not be prepared for a codec (memory, missing pixel data, bit depth, colour space)',
    ref: 'imagedata.cpp:96-546, jpegconv.cpp:98',
    logger: 'N',
    pattern: new RegExp(`^\\*\\*\\*\\[(?<codec>[^\\]]*)\\]::? (?<problem>${PIXEL_PROBLEMS})$`),
    samples: [
      { line: '***[DecompressJPEGL]: Could not allocate 1048576 bytes of memory.', fields: { codec: 'DecompressJPEGL', problem: 'Could not allocate 1048576 bytes of memory.' } },
      { line: '***[CompressJPEGL]:: Failed to allocate a new VR.', fields: { codec: 'CompressJPEGL' } },
    ],
  },
  {
    kind: 'codec-error',
    description: 'JPEG-LS (CharLS) encode or decode failed; the text follows the step name without a separator',
    ref: 'jpegconv.cpp:2659-2702',
    logger: 'N',
    pattern: /^\*\*\*\[(?<codec>CompressJPEGLS|DecompressJPEGLS)\] (?<problem>.*)$/,
    samples: [{ line: '***[CompressJPEGLS] Jpeg LS EncodeParameters are invalid', fields: { codec: 'CompressJPEGLS', problem: 'Jpeg LS EncodeParameters are invalid' } }],
  },
  {
    kind: 'codec-error',
    description: 'An NKI-compressed image is corrupt or uses an unsupported mode',
    ref: 'nkiqrsop.cpp:1750, 1754, 1981',
    logger: 'N',
    pattern: /^NKI (?:private )?decompression: (?<problem>the file is corrupted|internal error|unsupported mode)$/,
    fixed: { codec: 'NKI' },
    samples: [{ line: 'NKI private decompression: unsupported mode', fields: { codec: 'NKI', problem: 'unsupported mode' } }],
  },
  {
    kind: 'codec-warning',
    description: 'A codec warning: fewer frames than expected, changed to lossless, J2K library message',
    ref: 'nkiqrsop.cpp:4703, imagedata.cpp:141-151, jpegconv.cpp:1418-2905',
    logger: 'N',
    pattern: /^Warn\[(?<codec>[^\]]*)\]: (?<warning>.*)$/,
    samples: [{ line: 'Warn[CompressJPEGImage]: JPEG changed to lossless (J1) for 12 bits data', fields: { codec: 'CompressJPEGImage', warning: 'JPEG changed to lossless (J1) for 12 bits data' } }],
  },
  {
    kind: 'codec-warning',
    description: 'JPEG compression was skipped for this image (bit depth or colour space)',
    ref: 'nkiqrsop.cpp:4629, 4639',
    logger: 'N',
    pattern: /^\[CompressJPEGImage\]: (?<warning>JPEG compression (?:only supported for 16 bits data|not allowed for YBR_FULL_422))$/,
    fixed: { codec: 'CompressJPEGImage' },
    samples: [{ line: '[CompressJPEGImage]: JPEG compression not allowed for YBR_FULL_422', fields: { codec: 'CompressJPEGImage' } }],
  },
  {
    kind: 'codec-warning',
    description: 'Lossless JPEG decompression forced the colour space to RGB',
    ref: 'jpegconv.cpp:774',
    logger: 'N',
    pattern: /^(?<codec>DecompressJPEGL): (?<warning>forced jpeg colorspace for lossless to RGB)$/,
    samples: [{ line: 'DecompressJPEGL: forced jpeg colorspace for lossless to RGB', fields: { codec: 'DecompressJPEGL' } }],
  },
  {
    kind: 'codec-warning',
    description: 'A recompression request could not be honoured (v2 file, as-is compression on outgoing associations)',
    ref: 'nkiqrsop.cpp:2951, 5113',
    logger: 'N',
    pattern: /^(?<warning>Recompress: cannot rewrite jpeg\/rle image in v2 format|Warning: use of as is compression for outgoing associations not fully implemented)$/,
    samples: [{ line: 'Recompress: cannot rewrite jpeg/rle image in v2 format' }],
  },
  {
    kind: 'recompressed',
    description: 'An object was recompressed (debug-level detail of a compression mode)',
    ref: 'nkiqrsop.cpp:5091',
    logger: 'N',
    pattern: /^\[recompress\]: recompressed with mode = (?<mode>.*) \(strip=(?<strip>-?\d+)\)$/,
    values: { strip: 'int' },
    samples: [{ line: '[recompress]: recompressed with mode = j2 (strip=0)', fields: { mode: 'j2', strip: 0 } }],
  },
  {
    kind: 'spawn-failed',
    description: 'An external program (codec, export command) could not be started',
    ref: 'nkiqrsop.cpp:2893, dgate.cpp:4318',
    logger: 'N',
    pattern: /^\*\*\*Failed to create process:? (?<command>.*?)(?::| - error) (?<error>-?\d+)$/,
    values: { error: 'int' },
    samples: [{ line: '***Failed to create process: dcmdjpeg.exe - error 2', fields: { command: 'dcmdjpeg.exe', error: 2 } }],
  },
  {
    kind: 'v2-load-error',
    description: 'A v2 (NKI) file is corrupt: bad group/element order, item length or element size',
    ref: 'loadddo.cpp:235-385',
    logger: 'N',
    pattern:
      /^\*\*\* (?<problem>failed to allocate memory|Encountered an invalid (?:group order|element order|item length \(\d+\))|Element too large) during load of V2 file(?<detail>.*)$/,
    samples: [{ line: '*** Element too large during load of V2 file in 7fe0:0010', fields: { problem: 'Element too large', detail: ' in 7fe0:0010' } }],
  },
];
