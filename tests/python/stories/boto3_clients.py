"""A worker talks to several AWS services: one boto3 session, a client per service."""
import boto3

from _story import dump

session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="AKIAEXAMPLE",
                                aws_secret_access_key="secret")
clients = {service: session.client(service)
           for service in ("s3", "sqs", "dynamodb", "sns", "kinesis", "ec2")}
dump()
