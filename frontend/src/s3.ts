// Options for @uppy/aws-s3 (v6) that send a file straight to S3 with the ticket our API gave it.
//
// AwsS3 v6 makes every S3 request itself and asks `signRequest` for each one's URL:
// - s3-post: the ticket is a presigned POST; AwsS3 posts the ticket's fields, then the file.
// - s3-multipart: our server has already created the multipart upload (its ticket fields are
//   uploadId, key and partSize). The pre-processor stores {uploadId, key} as the file's
//   `s3Multipart` state, so AwsS3 takes it up as an upload to resume: it lists the parts S3
//   holds, sends the others, then completes. Our API signs each part, the list and the
//   completion (it refuses to sign a completion whose parts do not add up to the file).
// Aborting is our server's job (uploader.ts asks it when the file is removed), so the bucket's
// CORS need not allow DELETE; AwsS3's own AbortMultipartUpload is not signed.

import type { AwsS3Options } from '@uppy/aws-s3'
import type { Body, Meta } from '@uppy/core'

import type { ApiClient, Submission, UploadTicket } from './api'

export interface S3FileTicket {
  submission: Submission
  ticket: UploadTicket
}

type SignRequest<M extends Meta, B extends Body> = Extract<
  AwsS3Options<M, B>,
  { signRequest: unknown }
>['signRequest']
type S3Request<M extends Meta, B extends Body> = Parameters<SignRequest<M, B>>[0]

const ABORTED_BY_SERVER = 'The tool aborts multipart uploads on its server.'

export function s3UploaderOptions<M extends Meta, B extends Body>(
  api: ApiClient,
  ticketFor: (fileID: string) => S3FileTicket | undefined,
  tickets: () => Iterable<S3FileTicket>,
): AwsS3Options<M, B> {
  /** Our tickets are keyed by Uppy file id; AwsS3 names the object key in each request. */
  const byKey = (key: string): S3FileTicket => {
    for (const candidate of tickets()) {
      if (candidate.ticket.upload_ref === key) return candidate
    }
    throw new Error(`No upload ticket for the S3 object "${key}".`)
  }

  const signRequest = (request: S3Request<M, B>) => {
    const { submission, ticket } = byKey(request.key)
    if (!('uploadId' in request)) {
      if (request.method === 'PUT' && ticket.protocol === 's3-post') {
        return { url: ticket.url, fields: ticket.fields }
      }
      throw new Error(`This upload cannot sign a ${request.method} request for a new object.`)
    }
    if ('partNumber' in request) return api.signUploadPart(submission.id, request.partNumber)
    if (request.method === 'GET') return api.signMultipartRequest(submission.id, 'list_parts')
    if (request.method === 'POST') return api.signMultipartRequest(submission.id, 'complete')
    throw new Error(ABORTED_BY_SERVER) // DELETE: AwsS3 only logs this
  }

  return {
    id: 'AwsS3',
    limit: 1,
    allowedMetaFields: false,
    shouldUseMultipart: (file) => ticketFor(file.id)?.ticket.protocol === 's3-multipart',
    // Called with the size only; the part size must be the server's, which bounds part numbers.
    getChunkSize: ({ size }) => {
      for (const { ticket, submission } of tickets()) {
        if (ticket.protocol === 's3-multipart' && submission.size_bytes === size) {
          return ticket.chunk_size ?? Number(ticket.fields.partSize)
        }
      }
      throw new Error('No multipart ticket for this file.')
    },
    generateObjectKey: (file) => ticketFor(file.id)?.ticket.upload_ref ?? file.name,
    signRequest,
  }
}
