/*  Generic protobuf <-> command line and output, through protobuf-c's
    descriptors: an option names a field path ("applicant.id_number"), the
    reply prints as "field: value" lines, with *_at times shown in
    Asia/Ho_Chi_Minh (as JSON: common/dh_pbjson).  */
#ifndef PBTEXT_H
#define PBTEXT_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

//  A new, initialised message of this type (freed with pbtext_free).
ProtobufCMessage *pbtext_new (const ProtobufCMessageDescriptor *descriptor);
void pbtext_free (ProtobufCMessage *message);

//  Set the field at path from text: strings, bools (true/false/yes/no/1/0),
//  integers, doubles, enums (by name, case and '-' forgiven); a repeated
//  field gets one more value. Returns 0, or -1 with *error set (static).
int pbtext_set (ProtobufCMessage *message, const char *path, const char *text, const char **error);

//  The message as indented "field: value" lines on out.
void pbtext_print (FILE *out, const ProtobufCMessage *message, int indent);

#endif
