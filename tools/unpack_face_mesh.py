#!/usr/bin/python3
"""Writes face_landmark.tflite out of an unpacked @mediapipe/face_mesh npm package.

The package packs its .tflite files into one asset file (face_mesh_solution_packed_assets.data);
its loader script lists each file's byte range.

Usage: unpack_face_mesh.py PACKAGE_DIR OUT_DIR
"""
import json
import os
import re
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    pkg, out = argv[1], argv[2]
    loader = open(os.path.join(pkg, 'face_mesh_solution_packed_assets_loader.js')).read()
    spec = re.search(r'loadPackage\((\{.*?\})\);', loader)
    if not spec:
        sys.exit('no file list in the face mesh loader script')
    blob = open(os.path.join(pkg, 'face_mesh_solution_packed_assets.data'), 'rb').read()
    for f in json.loads(spec.group(1))['files']:
        if f['filename'].endswith('/face_landmark.tflite'):
            open(os.path.join(out, 'face_landmark.tflite'), 'wb').write(blob[f['start']:f['end']])
            return
    sys.exit('face_landmark.tflite not listed in the face mesh package')


if __name__ == '__main__':
    main(sys.argv)
